"""The ceiling for bench_web.py: a bare Flask app answering "hello", served with the same gunicorn settings.

Whatever the survey pages reach is compared with this, measured in the same run on the same machine, so a
busy neighbour slows both and the ratio stays meaningful.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
