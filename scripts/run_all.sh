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
$PY manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)

sleep 2
cat <<MSG

  Partner Portal is running on http://$HOST:$PORT  (Ctrl-C stops web, worker and beat)

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
