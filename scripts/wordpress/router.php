<?php
// Router for `php -S` serving Debian's WordPress: static files from the
// WordPress tree or /var/lib/wordpress/wp-content as they are, PHP files
// under the document root (/usr/share/wordpress) by the built-in server,
// and every other path through WordPress's index.php, as Apache's rewrite
// rules would.

$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (str_contains($path, '..') || str_contains($path, "\0")) {
    http_response_code(400);
    return true;
}

// wp-content lives outside the document root on Debian.
if (str_starts_with($path, '/wp-content/')) {
    foreach (['/var/lib/wordpress', '/usr/share/wordpress'] as $root) {
        $file = $root . $path;
        if (is_file($file) && !str_ends_with($file, '.php')) {
            serve_static($file);
            return true;
        }
    }
}

$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && (is_file($file) || is_file(rtrim($file, '/') . '/index.php'))) {
    return false; // the built-in server runs PHP and serves the rest
}

$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
chdir($_SERVER['DOCUMENT_ROOT']);
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';

function serve_static(string $file): void
{
    $types = [
        'css' => 'text/css', 'js' => 'application/javascript', 'json' => 'application/json',
        'svg' => 'image/svg+xml', 'png' => 'image/png', 'jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg',
        'gif' => 'image/gif', 'webp' => 'image/webp', 'ico' => 'image/x-icon',
        'woff' => 'font/woff', 'woff2' => 'font/woff2', 'ttf' => 'font/ttf', 'txt' => 'text/plain',
    ];
    $ext = strtolower(pathinfo($file, PATHINFO_EXTENSION));
    header('Content-Type: ' . ($types[$ext] ?? 'application/octet-stream'));
    header('Content-Length: ' . filesize($file));
    readfile($file);
}
