<?php
// Installs Debian's WordPress for Loa's integration test and creates the
// admin's Application Password. Run by start.sh:
//   php install.php install       wp_install() unless already installed
//   php install.php app-password  keep a still-valid stored Application
//                                 Password or create a new one
// Settings come from LOA_WP_URL, LOA_WP_ADMIN and LOA_WP_STATE.

const APP_NAME = 'loa-integration-test';

$mode = $argv[1] ?? '';
$base = getenv('LOA_WP_URL') ?: fail('LOA_WP_URL is not set');
$admin = getenv('LOA_WP_ADMIN') ?: fail('LOA_WP_ADMIN is not set');
$state = getenv('LOA_WP_STATE') ?: fail('LOA_WP_STATE is not set');

// Debian's wp-config.php picks /etc/wordpress/config-<host>.php from the
// request's host, which a command line run has to supply.
$u = parse_url($base);
$_SERVER['HTTP_HOST'] = $u['host'] . (isset($u['port']) ? ':' . $u['port'] : '');
$_SERVER['SERVER_NAME'] = $u['host'];
$_SERVER['SERVER_PORT'] = $u['port'] ?? 80;
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

switch ($mode) {
    case 'install':
        install_site($base, $admin, $state);
        break;
    case 'app-password':
        app_password($base, $admin, $state);
        break;
    default:
        fail("usage: php install.php install|app-password");
}

function install_site(string $base, string $admin, string $state): void
{
    define('WP_INSTALLING', true);
    require '/usr/share/wordpress/wp-load.php';
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    if (is_blog_installed()) {
        fwrite(STDERR, "wordpress: already installed\n");
        return;
    }
    // No mail server here: skip the "new site" e-mail instead of failing on it.
    add_filter('pre_wp_mail', '__return_false');
    $password = wp_generate_password(24, false);
    $result = wp_install('Loa test site', $admin, 'loa-admin@example.invalid', false, '', $password);
    if (empty($result['user_id'])) {
        fail('wp_install did not create the admin user');
    }
    file_put_contents("$state/admin-password", $password);
    chmod("$state/admin-password", 0600);
}

function app_password(string $base, string $admin, string $state): void
{
    require '/usr/share/wordpress/wp-load.php';
    // The site answers under whatever port this run uses.
    if (get_option('siteurl') !== $base) {
        update_option('siteurl', $base);
    }
    if (get_option('home') !== $base) {
        update_option('home', $base);
    }
    $user = get_user_by('login', $admin) ?: fail("no WordPress user '$admin'");
    $file = "$state/app-password";
    $stored = is_file($file) ? trim(file_get_contents($file)) : '';
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] !== APP_NAME) {
            continue;
        }
        if ($stored !== '' && wp_check_password($stored, $item['password'], $user->ID)) {
            return; // still valid
        }
        WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
    }
    $created = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => APP_NAME]);
    if (is_wp_error($created)) {
        fail('cannot create an Application Password: ' . $created->get_error_message());
    }
    file_put_contents($file, $created[0]);
    chmod($file, 0600);
}

function fail(string $message): never
{
    fwrite(STDERR, "wordpress: $message\n");
    exit(1);
}
