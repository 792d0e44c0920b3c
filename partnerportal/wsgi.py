import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerportal.settings")
application = get_wsgi_application()
# Import the URLconf, and with it every view, when a worker starts rather than on the first
# request it serves (about a third of a second on a small machine).
import_module(settings.ROOT_URLCONF)
