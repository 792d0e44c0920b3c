#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat together in the foreground.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
. .local/services.env

PY=.venv/bin/python
CELERY=.venv/bin/celery
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# DEBUG off unless asked for (DEBUG=true make run: Django's development server, reloading off).
# Links in emails point where the web server listens unless PORTAL_BASE_URL says otherwise.
# The secret key is this install's own (.local/secret_key, generated on first start).
export DEBUG="${DEBUG:-false}" PORTAL_HOST="$HOST" PORTAL_PORT="$PORT"
# Each process keeps at most one database connection per thread: gunicorn 2 workers x 4
# threads, a worker with 2 children, beat; the development server closes its per request.
WEB_WORKERS="${WEB_WORKERS:-2}"
WEB_THREADS="${WEB_THREADS:-4}"

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping web, worker and beat..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

$CELERY -A partnerportal worker --loglevel=INFO --concurrency=2 --hostname="portal@%h" &
pids+=($!)
$CELERY -A partnerportal beat --loglevel=INFO --schedule=.local/celerybeat-schedule &
pids+=($!)
case "${DEBUG,,}" in
  true | 1 | yes | on | y)
    CONN_MAX_AGE=0 $PY manage.py runserver "$HOST:$PORT" --noreload &
    ;;
  *)
    .venv/bin/gunicorn partnerportal.wsgi:application --bind "$HOST:$PORT" \
      --workers "$WEB_WORKERS" --threads "$WEB_THREADS" \
      --access-logfile - &
    ;;
esac
pids+=($!)

sleep 2
cat <<MSG

  Partner Portal is running on http://$HOST:$PORT  (Ctrl-C stops web, worker and beat)
  DEBUG=$DEBUG; links in emails point to $($PY -c 'from partnerportal.deploy import base_url_from_env as b; import os; print(b(os.environ))')

  Demo logins (password: $($PY manage.py seed_demo --print-password)):
    globaladmin@contoso.example   Contoso Cloud — Global admin
    agent@contoso.example         Contoso Cloud — Admin agent
    sales@contoso.example         Contoso Cloud — Sales agent
    billing@contoso.example       Contoso Cloud — Billing admin
    admin@fabrikam.example        Fabrikam Distribution — indirect provider
    admin@northwind.example       Northwind Supply — indirect provider
    admin@<customer domain>       a customer admin, e.g. admin@adatum.example
    support@portal.example        support staff (Django admin at /admin/)

MSG
wait -n "${pids[@]}"
