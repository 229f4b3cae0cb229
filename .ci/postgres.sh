# PostgreSQL for the store tests and the two-instance gateway test. Sourced by .ci/run.
#
# `pg_start` installs the server from the system's package manager when it is missing, creates a
# throwaway cluster in a temporary directory (listening on 127.0.0.1 only, on a free port, socket
# in the same directory), a throwaway role with a random password and CREATEDB (each test creates
# its own database), and exports RTCMINT_TEST_DATABASE_URL. TLS is on with a throwaway CA (its
# certificate in RTCMINT_TEST_DATABASE_CA), so the tests can check verified TLS connections. `pg_stop` stops the cluster and
# removes the directory; `pg_start` registers it to run at exit. The URL (it holds the password)
# is never printed.
#
# PostgreSQL refuses to run as root, so as root (CI) the server runs as the `postgres` system
# user that the package creates; as any other user it runs as that user.

PG_WORK=""
PG_BIN=""
PG_AS=()

pg_find_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then
    PG_BIN="$dir"
    return 0
  fi
  return 1
}

pg_free_port() {
  local port
  for port in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

pg_start() {
  if ! pg_find_bin; then
    echo "PostgreSQL server not found; installing it with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    pg_find_bin || { echo "PostgreSQL install did not provide pg_ctl/initdb"; return 1; }
  fi
  if [ "$(id -u)" = 0 ]; then
    PG_AS=(runuser -u postgres --)
  fi
  PG_WORK="$(mktemp -d /tmp/rtcmint-pg.XXXXXX)"
  chmod 700 "$PG_WORK"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_WORK"
  trap pg_stop EXIT

  local port password
  port="$(pg_free_port)" || { echo "no free port for PostgreSQL"; return 1; }
  password="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  # The superuser is reached only over the private socket (trust); TCP needs a password.
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_WORK/data" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_WORK/initdb.log" 2>&1 \
    || { cat "$PG_WORK/initdb.log"; return 1; }
  # A throwaway CA and a server certificate for 127.0.0.1 (TLS is optional for clients).
  local ssl=""
  if pg_make_certs "$PG_WORK/tls"; then
    ssl="-c ssl=on -c ssl_cert_file=$PG_WORK/tls/server.pem -c ssl_key_file=$PG_WORK/tls/server.key"
    export RTCMINT_TEST_DATABASE_CA="$PG_WORK/tls/ca.pem"
  else
    echo "openssl failed: the PostgreSQL test server runs without TLS"
  fi
  # fsync off: a throwaway cluster, nothing to keep if the machine crashes.
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_WORK/data" -l "$PG_WORK/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_WORK -c fsync=off -c max_connections=200 $ssl" \
    start >/dev/null || { cat "$PG_WORK/server.log"; return 1; }
  "${PG_AS[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_WORK" -p "$port" -U postgres \
    -d postgres >/dev/null <<SQL
CREATE ROLE rtcmint_test LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE rtcmint_test OWNER rtcmint_test;
SQL
  export RTCMINT_TEST_DATABASE_URL="postgres://rtcmint_test:$password@127.0.0.1:$port/rtcmint_test"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_WORK)"
}

pg_make_certs() {
  local dir="$1"
  mkdir -p "$dir" || return 1
  (
    cd "$dir" || exit 1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj "/CN=rtcmint test CA" -keyout ca.key -out ca.pem \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" &&
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=localhost" -keyout server.key -out server.csr &&
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile server.ext -out server.pem
  ) >/dev/null 2>&1 || return 1
  chmod 600 "$dir/server.key" "$dir/ca.key"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
  chmod 644 "$dir/ca.pem"
  return 0
}

pg_stop() {
  if [ -n "$PG_WORK" ] && [ -d "$PG_WORK/data" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_WORK/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -n "$PG_WORK" ] && rm -rf "$PG_WORK"
  PG_WORK=""
}
