#!/usr/bin/env bash
# Load test on loopback: the portal under gunicorn (2 x cores + 1 workers, static files by
# whitenoise, Redis cache, PostgreSQL with the scale data of `make bench`), driven by wrk
# for LOAD_DURATION (60 s) with a mix of staff (two in three) and public requests.
#   bench/load_test.sh            # after `make bench` has generated the data
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${LOAD_PORT:-8077}
DURATION=${LOAD_DURATION:-60s}
CONNECTIONS=${LOAD_CONNECTIONS:-16}
WORKERS=$(( $(nproc) * 2 + 1 ))
if ! command -v wrk >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
STATIC=$(mktemp -d)
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/scn_bench_scale}
export DJANGO_SECRET_KEY=load-test-only-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false
export REDIS_URL=${LOAD_REDIS_URL:-redis://127.0.0.1:6379/7} DJANGO_CONN_MAX_AGE=60
export DJANGO_STATIC_ROOT=$STATIC DJANGO_LOG_LEVEL=WARNING
.venv/bin/python manage.py collectstatic --noinput -v0
SESSIONS=$(.venv/bin/python bench/load_sessions.py 12 | paste -sd, -)
export SESSIONS
# (`tail -n 1`: the shell first says how many objects it imported.)
CITY_PAGE=$(.venv/bin/python manage.py shell -c "from cities.models import City; print(City.objects.active().first().get_absolute_url())" | tail -n 1)
PUBLIC_CITY=$(.venv/bin/python manage.py shell -c "from cities.models import City; c = City.objects.active().published().first(); print(f'/network/{c.slug}/' if c else '/network/')" | tail -n 1)
export CITY_PAGE PUBLIC_CITY
.venv/bin/gunicorn scn_portal.wsgi --bind 127.0.0.1:$PORT --workers $WORKERS --timeout 60 \
  --log-level warning &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$STATIC"' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:$PORT/ && break; sleep 0.2; done
# Warm every worker up (imports, templates, connections, the cache) before measuring: each
# page of the mix a few times per worker.
FIRST_SESSION=${SESSIONS%%,*}
for path in /dashboard/ /consultations/ "/consultations/?o=city" "/next-steps/?overdue=true" \
    /next-steps/ /cities/ "/cities/?membership_status=member" /officials/ /workshops/ \
    "/findings/?theme=policing" /participants/ "/search/?q=council" "$CITY_PAGE" / /network/ \
    "$PUBLIC_CITY" /events.ics; do
  for _ in $(seq 1 $(( WORKERS * 2 ))); do
    curl -s -o /dev/null -H "Cookie: sessionid=$FIRST_SESSION" "http://127.0.0.1:$PORT$path"
  done
done
echo "gunicorn: $WORKERS workers on $(nproc) cores; wrk: $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s bench/load_mix.lua "http://127.0.0.1:$PORT"
