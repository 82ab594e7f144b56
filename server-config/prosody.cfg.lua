-- flexfed: Prosody configuration template.
--
-- src/server/config.ts renders this file into the data directory, replacing every
-- placeholder in double braces; the rendered copy holds secrets and is written with mode 0600.
-- Never start Prosody on this template directly.

-- Process ------------------------------------------------------------------------------------
-- flexfed starts Prosody in the foreground (-F) and stops it by this PID.
pidfile = "{{DATA_DIR}}/prosody.pid"
data_path = "{{DATA_DIR}}/data"
-- Debian's package would otherwise read /etc/prosody/certs; every file we use lives in the data dir.
certificates = "{{CERT_DIR}}"

-- Network: loopback only, on ports chosen by flexfed (free ports in tests, so runs never collide).
-- c2s/s2s bind to `interfaces`; the component port is a private service bound to `local_interfaces`.
interfaces = { "{{LISTEN_ADDRESS}}" }
local_interfaces = { "{{LISTEN_ADDRESS}}" }
c2s_ports = { {{C2S_PORT}} }
s2s_ports = { {{S2S_PORT}} }
component_ports = { {{COMPONENT_PORT}} }
-- No HTTP: flexfed uses neither BOSH nor websockets, and an open HTTP port is one more surface.
http_ports = { }
https_ports = { }

-- The registry and provisioning components create every device's pubsub nodes. Prosody lets only
-- admins (and the service itself) create nodes, so their JIDs are admins (DESIGN.md §3).
admins = { {{ADMINS}} }

modules_enabled = {
  "disco";     -- service discovery: clients find the registry, provisioning and pubsub services
  "roster";    -- presence subscriptions between devices and apps
  "saslauth";  -- SCRAM authentication for devices
  "tls";       -- STARTTLS on c2s and s2s
  "dialback";  -- s2s authentication between federated domains
  "ping";      -- XEP-0199, used by clients to detect dead links
  "smacks";    -- XEP-0198: clients resume after a short network drop without losing stanzas
  "time";
  "version";
  "uptime";
  "posix";     -- writes the pidfile
}
-- "limits" is deliberately absent: Debian's default of 10 kB/s per c2s connection would throttle
-- telemetry and distort every benchmark. "register" is absent too: accounts are created by
-- flexfed at set-up (prosodyctl register), never by in-band registration.
modules_disabled = { }

-- Security by default: TLS is required on client connections and only hashed passwords are
-- stored, so devices log in with SCRAM-SHA-1 over TLS.
authentication = "internal_hashed"
c2s_require_encryption = true
allow_registration = false
-- Federation (s2s) always runs over TLS. Certificates are signed by each domain's own generated
-- CA: a federated server trusts its peers' CAs (a bundle given at set-up) and then authenticates
-- them by certificate; a lone server has no peers to trust and falls back to dialback.
s2s_require_encryption = true
s2s_secure_auth = {{S2S_SECURE_AUTH}}
-- A link attempt that stalls (its peer gone mid-handshake) holds every stanza queued for the peer
-- until this timeout, then bounces them and lets the next stanza dial afresh (default 90 s).
s2s_timeout = 20
{{FEDERATION}}
-- Accounts and rosters on Prosody's file store: prosodyctl writes there whether or not the
-- server runs, and they change rarely.
storage = "internal"

-- Prosody leaves Nagle on: a small stanza written while an earlier one is unacknowledged waits for
-- the peer's delayed ACK (~40 ms); and a reply routed while a later stanza of the same read is
-- written to disk (a status publish) waits for it unless written at once (opportunistic writes).
-- Instruction -> ACCEPTED took 48 ms median with Nagle on (bench/control.ts, 50 devices).
network_settings = { nagle = false, opportunistic_writes = true }

-- A device that drops without closing its stream is reported unavailable after this many
-- seconds (Prosody's default is 600 s, far too long for apps that watch devices).
smacks_hibernation_time = {{SMACKS_HIBERNATION}}

log = {
  { levels = { min = "{{LOG_LEVEL}}" }, to = "file", filename = "{{DATA_DIR}}/prosody.log" };
}

VirtualHost "{{DOMAIN}}"

-- Control spaces: low rate, must survive restarts. Items on SQLite through mod_storage_sql
-- (DESIGN.md §4: the file store rewrites the whole node file on every publish).
Component "pubsub.{{DOMAIN}}" "pubsub"
  storage = "sql"
  -- flexfed creates this file in SQLite's WAL mode before Prosody opens it (3x the publishes/s).
  sql = { driver = "SQLite3", database = "{{DATA_DIR}}/pubsub.sqlite" }
  pubsub_max_items = 256

-- Telemetry: high rate, served from memory. Durability comes from the devices' outbox and the
-- apps' own history; node configuration and affiliations stay on disk.
Component "telemetry.{{DOMAIN}}" "pubsub"
  storage = { pubsub_data = "memory" }
  pubsub_max_items = 256

-- External components (XEP-0114): the registry, provisioning and one per energy app. Secrets are
-- generated at set-up and kept in the data dir's secrets.json (mode 0600).
{{COMPONENTS}}
