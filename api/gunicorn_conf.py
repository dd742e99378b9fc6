"""gunicorn settings for the API (`gunicorn -c python:api.gunicorn_conf api.wsgi:app`)."""

from engine.config import get_settings

_settings = get_settings()

bind = f"{_settings.host}:{_settings.port}"
worker_class = "gthread"
workers = _settings.api_processes
threads = _settings.api_threads
graceful_timeout = 10
loglevel = "warning"
# 0 lifts gunicorn's 8 KB request-line limit (it still caps lines at 1 MB), so a
# hostile 10 KB job id reaches Flask and gets a JSON 404, not a plain-text 414.
limit_request_line = 0
