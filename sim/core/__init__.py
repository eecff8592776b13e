"""The simulator's core: the state (`fields`, `world`), a day's step (`engine`), what a run records
(`records`: its ceasefires), the measures and outcomes read from the record, and how the arithmetic is
compiled (`compiled`). It never imports the command line, the plots, the report or the file writers."""
