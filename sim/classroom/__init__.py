"""The class game: a class plays a crisis, each player one actor, round by round (no web code here).

`moves` is the menu of what a player can do (each move becomes scenario events), `game` plays the moves
into the model, `store` keeps games, players, rounds and memos in SQLite, and `debrief` measures what each
player's moves changed against the rules playing that actor instead.
"""


class ClassroomError(ValueError):
    """What a player or the teacher may not do now, or a file that is not a classroom's: the message
    says why in one line (`moves.MoveError` and `store.StoreError` are kinds of it)."""
