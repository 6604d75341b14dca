-- Prosody test configuration: a private server on loopback for test/xmpp (placeholders {{…}}
-- are filled in by test/servers/prosody.ts). No TLS on loopback, data in a temp folder.
run_as_root = true -- test containers run as root; prosody refuses root without this
daemonize = false
pidfile = "{{DIR}}/prosody.pid"
data_path = "{{DIR}}/data"
certificates = "{{DIR}}/certs"
plugin_paths = {}
interfaces = { "127.0.0.1" }
c2s_ports = { {{C2S_PORT}} }
c2s_direct_tls_ports = {}
legacy_ssl_ports = {}
s2s_ports = {}
component_ports = {}
http_ports = { {{HTTP_PORT}} }
http_interfaces = { "127.0.0.1" }
http_default_host = "upload.localhost" -- requests to 127.0.0.1:port reach the upload component
https_ports = {}
https_interfaces = {}
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
s2s_require_encryption = false
authentication = "internal_hashed"
storage = "internal"
log = { { levels = { min = "{{LOG_LEVEL}}" }, to = "console" } }
modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "posix"; "http" }
modules_disabled = { "s2s"; "tls" }
limits = { c2s = { rate = "10mb/s" } }

VirtualHost "localhost"

Component "muc.localhost" "muc"
	modules_enabled = { "muc_mam" } -- adds XEP-0359 stanza-ids to room messages
	muc_room_locking = false -- otherwise the second occupant hears nothing
	restrict_room_creation = false
	muc_room_default_history_length = 20

Component "upload.localhost" "http_file_share"
	http_external_url = "http://127.0.0.1:{{HTTP_PORT}}/"
	http_file_share_size_limit = {{UPLOAD_LIMIT}}
