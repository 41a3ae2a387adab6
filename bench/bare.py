"""The yardstick: a bare Flask "hello" app, served by the same gunicorn settings as the suite."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    """The cheapest response Flask can give."""
    return "Hello, World!"
