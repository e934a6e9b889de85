#!/usr/bin/env bash
# Starts a real WordPress on loopback for Loa's WordPress integration test,
# from Debian 12 packages, as root:
#
#   eval "$(bash scripts/wordpress/start.sh)"
#
# prints only `export LOA_TEST_WORDPRESS_{URL,USER,APP_PASSWORD}=…` on
# stdout; progress goes to stderr. Safe to run again: what exists is reused,
# and if WordPress already answers on the port with the stored Application
# Password, the exports are printed at once. WP_PORT overrides port 8089.
#
# The machines this runs on have no systemd and start no service on
# install, so MariaDB (if nothing answers on 127.0.0.1:3306) and PHP's
# built-in web server are started here, detached, logging under the state
# directory.
set -euo pipefail

PORT="${WP_PORT:-8089}"
HOST=127.0.0.1
BASE="http://$HOST:$PORT"
STATE=/var/lib/loa-wordpress
WP_ROOT=/usr/share/wordpress
WP_CONFIG="/etc/wordpress/config-$HOST.php"
DB_NAME=loa_wordpress
DB_USER=loa_wordpress
ADMIN_USER=loa-admin
HERE="$(cd "$(dirname "$0")" && pwd)"
PACKAGES=(wordpress php-cli php-mysql php8.2-cgi php mariadb-server)

# Everything goes to stderr except the final exports, which go to fd 3.
exec 3>&1 1>&2

log() { printf 'wordpress: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
answers() { timeout 1 bash -c "exec 4<>/dev/tcp/$HOST/$1" 2>/dev/null; }

print_exports() {
  local password
  password="$(cat "$STATE/app-password")"
  printf "export LOA_TEST_WORDPRESS_URL='%s'\n" "$BASE" >&3
  printf "export LOA_TEST_WORDPRESS_USER='%s'\n" "$ADMIN_USER" >&3
  printf "export LOA_TEST_WORDPRESS_APP_PASSWORD='%s'\n" "$password" >&3
}

# probe MODE asks the running site through PHP (curl may not be installed):
# "rest" = the REST index answers, "site" = and names $BASE as the site's
# address, "auth" = the stored credentials work.
probe() {
  command -v php >/dev/null || return 1
  LOA_WP_URL="$BASE" LOA_WP_USER="$ADMIN_USER" LOA_WP_PASSWORD_FILE="$STATE/app-password" \
    php "$HERE/probe.php" "$1" 2>/dev/null
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts services)"
case "$PORT" in '' | *[!0-9]*) die "WP_PORT must be a port number, got '$PORT'" ;; esac

# Second run: the server is up, serves this address, and the stored password works.
if answers "$PORT" && [ -s "$STATE/app-password" ] && probe site && probe auth; then
  log "already running at $BASE"
  print_exports
  exit 0
fi
# Refuse before changing anything if the port is someone else's.
if answers "$PORT" && ! probe rest; then
  die "something that is not this WordPress answers on $HOST:$PORT; stop it or set WP_PORT"
fi

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_mariadb() {
  answers 3306 && return 0
  log "starting MariaDB"
  install -d -o mysql -g mysql /run/mysqld
  if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  # The command this machine kind documents for starting its own MariaDB.
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd </dev/null >/dev/null 2>&1 3>&-
  local _
  for _ in $(seq 1 60); do answers 3306 && return 0; sleep 0.5; done
  die "MariaDB did not start on $HOST:3306 (see /var/log/mysql or journal)"
}

# sql runs statements as the database root: over the socket (unix_socket
# auth as root, the Debian default) or over TCP with an empty password.
sql() {
  mariadb -uroot -e "$1" 2>/dev/null || mariadb -uroot -h"$HOST" -P3306 -e "$1"
}

setup_database() {
  local password_file="$STATE/db-password"
  [ -s "$password_file" ] || head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$password_file"
  chmod 600 "$password_file"
  local pw
  pw="$(cat "$password_file")"
  log "database $DB_NAME, user $DB_USER"
  sql "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
       CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$pw';
       CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
       ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$pw';
       ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$pw';
       GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'127.0.0.1';
       GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';"
}

write_config() {
  local pw tmp
  pw="$(cat "$STATE/db-password")"
  tmp="$(mktemp)"
  # Debian's /usr/share/wordpress/wp-config.php includes the file named
  # after the request's host. WP_ENVIRONMENT_TYPE 'local' lets Application
  # Passwords work over plain HTTP; cron is off so no request spawns others.
  cat >"$tmp" <<PHP
<?php
// Written by Loa's scripts/wordpress/start.sh for its integration test.
define('DB_NAME', '$DB_NAME');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$pw');
define('DB_HOST', '$HOST:3306');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
PHP
  for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    if [ -f "$WP_CONFIG" ] && grep -q "'$key'" "$WP_CONFIG"; then
      grep "'$key'" "$WP_CONFIG" >>"$tmp" # keep salts: changing them logs everyone out
    else
      printf "define('%s', '%s');\n" "$key" "$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" >>"$tmp"
    fi
  done
  install -d /etc/wordpress
  install -m 640 -g www-data "$tmp" "$WP_CONFIG"
  rm -f "$tmp"
}

# copy_router puts the router in the state directory, so the running server
# does not depend on this checkout (CI's clone may be gone later).
copy_router() {
  install -m 644 "$HERE/router.php" "$STATE/router.php"
}

install_wordpress() {
  log "installing WordPress (skipped if already installed)"
  wp_php install
  log "creating the Application Password (reused if still valid)"
  wp_php app-password
}

wp_php() {
  LOA_WP_URL="$BASE" LOA_WP_ADMIN="$ADMIN_USER" LOA_WP_STATE="$STATE" php "$HERE/install.php" "$1"
}

start_server() {
  if answers "$PORT" && probe rest; then
    return 0 # ours from an earlier run: it reads the files on every request
  fi
  log "starting php -S $HOST:$PORT"
  # Workers let WordPress's own loopback requests be answered while a request is running.
  PHP_CLI_SERVER_WORKERS=4 setsid php -S "$HOST:$PORT" -t "$WP_ROOT" "$STATE/router.php" \
    </dev/null >>"$STATE/php-server.log" 2>&1 3>&- &
  echo $! >"$STATE/php-server.pid"
  local _
  for _ in $(seq 1 60); do probe rest && return 0; sleep 0.25; done
  die "WordPress did not answer at $BASE/?rest_route=/ (see $STATE/php-server.log)"
}

install -d -m 700 "$STATE"
install_packages
start_mariadb
setup_database
write_config
copy_router
install_wordpress
start_server
probe auth || die "WordPress at $BASE refused the stored Application Password"
log "ready at $BASE"
print_exports
