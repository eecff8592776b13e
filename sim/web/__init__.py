"""`dipsim serve`: one ASGI app (Starlette on uvicorn) with the class game's pages and the explore page
(Mesa's SolaraViz, `sim/app.py`) mounted under ``/explore``."""
