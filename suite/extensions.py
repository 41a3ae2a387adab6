"""The shared extensions, declared once without an app and bound in ``create_app``."""
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from peewee import DatabaseProxy

#: The one database of the suite; ``suite.database.init_app`` points it at SQLite or PostgreSQL.
db = DatabaseProxy()

login_manager = LoginManager()
csrf = CSRFProtect()
