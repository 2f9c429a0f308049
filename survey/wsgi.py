"""The WSGI entry point for production servers: `gunicorn -c gunicorn.conf.py` serves `survey.wsgi:app`.

Configuration comes from the environment (`survey.config`), as for every `kraftkartan` command."""

from survey import create_app

app = create_app()
