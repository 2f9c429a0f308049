"""Flask extension objects, created unbound so every module can import them without the app.

Imports flow one way: extensions <- models <- services <- views/CLI.
"""

from flask import request
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


@limiter.request_filter
def _unlimited() -> bool:
    """The members' survey pages carry no rate limit (a party answers in one evening, often from one
    address behind a venue's Wi-Fi), so Flask-Limiter need not resolve limits for them: that check was
    ~6% of a survey page's time (issue 12). Limits live on the login pages. Registered here, once, on
    the shared limiter: in create_app every app made (each test makes one) would add another filter."""
    return request.blueprint == "respond"
