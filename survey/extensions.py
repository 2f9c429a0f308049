"""Flask extension objects, created unbound so every module can import them without the app.

Imports flow one way: extensions <- models <- services <- views/CLI.
"""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from survey.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# In-memory by default; KRAFTKARTAN_RATELIMIT_STORAGE_URI (e.g. redis://) when several processes serve.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
