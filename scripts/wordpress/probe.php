<?php
// Asks the running WordPress whether it is up, for start.sh:
//   php probe.php rest  the REST API index answers
//   php probe.php site  and gives LOA_WP_URL as the site's address
//   php probe.php auth  the stored Application Password logs in
// Exits 0 on yes. Settings come from LOA_WP_URL, LOA_WP_USER and
// LOA_WP_PASSWORD_FILE.

$base = getenv('LOA_WP_URL') ?: exit(2);
$mode = $argv[1] ?? '';
$headers = ['Accept: application/json'];
$route = '/';
if ($mode === 'auth') {
    $password = trim((string) @file_get_contents(getenv('LOA_WP_PASSWORD_FILE')));
    $headers[] = 'Authorization: Basic ' . base64_encode(getenv('LOA_WP_USER') . ':' . $password);
    $route = '/wp/v2/users/me';
} elseif ($mode !== 'rest' && $mode !== 'site') {
    exit(2);
}
$context = stream_context_create(['http' => [
    'header' => implode("\r\n", $headers),
    'ignore_errors' => true,
    'timeout' => 5,
]]);
$body = @file_get_contents($base . '/?rest_route=' . $route, false, $context);
$status = isset($http_response_header[0]) ? (int) explode(' ', $http_response_header[0])[1] : 0;
$data = json_decode((string) $body, true);
if ($status !== 200 || !is_array($data)) {
    exit(1);
}
$ok = match ($mode) {
    'rest' => isset($data['namespaces']),
    'site' => isset($data['namespaces']) && ($data['home'] ?? '') === $base,
    'auth' => isset($data['id']),
};
exit($ok ? 0 : 1);
