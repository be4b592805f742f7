-- TMF640 Service Activation and Configuration: services and the monitors of their requests
SELECT operon_create_resource_table('activation_service', 'state');
SELECT operon_create_resource_table('activation_service_monitor', 'state');
-- TMF702 Resource Activation and Configuration: resources (under their inventory id) and monitors
SELECT operon_create_resource_table('activation_resource', 'administrativeState');
SELECT operon_create_resource_table('activation_resource_monitor', 'state');

-- One row per request that reached the network through either API: what to apply to the service
-- or resource when the network answers, so that an answer arriving after a restart is still applied.
CREATE TABLE IF NOT EXISTS activation_request (
  id             text PRIMARY KEY,              -- the id of its monitor
  api            text NOT NULL CHECK (api IN ('service', 'resource')),
  target_id      text NOT NULL,
  action         text NOT NULL CHECK (action IN ('activate', 'deactivate', 'modify')),
  method         text NOT NULL CHECK (method IN ('POST', 'PATCH')),
  adapter_key    text NOT NULL UNIQUE,
  request        jsonb NOT NULL,                -- what the network adapter is asked
  changes        jsonb NOT NULL,                -- top-level attributes set on success
  removed        text[] NOT NULL DEFAULT '{}',  -- top-level attributes removed on success
  target_state   text NOT NULL,
  base_url       text NOT NULL,
  correlation_id text,
  principal      jsonb,
  state          text NOT NULL DEFAULT 'InProgress' CHECK (state IN ('InProgress', 'Completed', 'InError')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
-- at most one request in flight per service or resource: a second one would race the first
CREATE UNIQUE INDEX IF NOT EXISTS activation_request_in_flight ON activation_request (api, target_id) WHERE state = 'InProgress';

-- The built-in simulated network. Its operations, keyed by the caller's idempotency key:
-- a repeat finds the first one and never configures anything twice.
CREATE TABLE IF NOT EXISTS activation_sim_operation (
  id              text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  kind            text NOT NULL,
  target_id       text NOT NULL,
  request         jsonb NOT NULL,
  request_hash    text NOT NULL,
  state           text NOT NULL CHECK (state IN ('InProgress', 'Completed', 'InError')),
  due_at          timestamptz NOT NULL,
  planned_failure text,
  attempts        integer NOT NULL DEFAULT 1,
  outcome         jsonb,
  error           jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz
);
CREATE INDEX IF NOT EXISTS activation_sim_operation_target ON activation_sim_operation (target_id);

-- What the simulated network holds configured. Keys and checks are the network's own rules:
-- a port, VLAN, address, SIM or number is configured once; a resource is configured once.
CREATE TABLE IF NOT EXISTS activation_sim_element (
  element_id    text PRIMARY KEY,
  element_type  text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS activation_sim_ont_port (
  olt_id        text NOT NULL REFERENCES activation_sim_element (element_id),
  pon_port      text NOT NULL,
  onu_id        integer NOT NULL CHECK (onu_id BETWEEN 0 AND 127),
  resource_id   text NOT NULL UNIQUE,
  config        jsonb NOT NULL,
  operation_id  text NOT NULL,
  configured_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (olt_id, pon_port, onu_id)
);
CREATE TABLE IF NOT EXISTS activation_sim_vlan (
  scope         text NOT NULL,
  vlan_id       integer NOT NULL CHECK (vlan_id BETWEEN 2 AND 4094),
  resource_id   text NOT NULL UNIQUE,
  config        jsonb NOT NULL,
  operation_id  text NOT NULL,
  configured_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, vlan_id)
);
CREATE TABLE IF NOT EXISTS activation_sim_ip_binding (
  address       inet PRIMARY KEY,
  pool          cidr,
  resource_id   text NOT NULL UNIQUE,
  config        jsonb NOT NULL,
  operation_id  text NOT NULL,
  configured_at timestamptz NOT NULL DEFAULT now(),
  CHECK (pool IS NULL OR address <<= pool)
);
CREATE TABLE IF NOT EXISTS activation_sim_sim_card (
  iccid         text PRIMARY KEY,
  imsi          text NOT NULL UNIQUE,
  resource_id   text NOT NULL UNIQUE,
  config        jsonb NOT NULL,
  operation_id  text NOT NULL,
  configured_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS activation_sim_number (
  number        text PRIMARY KEY,
  number_type   text NOT NULL CHECK (number_type IN ('msisdn', 'geographic')),
  resource_id   text NOT NULL UNIQUE,
  config        jsonb NOT NULL,
  operation_id  text NOT NULL,
  configured_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS activation_sim_sip_account (
  username      text NOT NULL,
  domain        text NOT NULL,
  resource_id   text NOT NULL UNIQUE,
  config        jsonb NOT NULL,
  operation_id  text NOT NULL,
  configured_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (username, domain)
);
CREATE TABLE IF NOT EXISTS activation_sim_service (
  service_id           text PRIMARY KEY,
  name                 text,
  specification_id     text,
  characteristics      jsonb NOT NULL,
  supporting_resources text[] NOT NULL DEFAULT '{}',
  operation_id         text NOT NULL,
  configured_at        timestamptz NOT NULL DEFAULT now(),
  modified_at          timestamptz
);
CREATE INDEX IF NOT EXISTS activation_sim_service_resources ON activation_sim_service USING gin (supporting_resources);
-- the HLR/HSS: a mobile subscription binds one SIM (IMSI) to one number
CREATE TABLE IF NOT EXISTS activation_sim_subscriber (
  imsi       text PRIMARY KEY,
  msisdn     text NOT NULL UNIQUE,
  service_id text NOT NULL UNIQUE REFERENCES activation_sim_service (service_id) ON DELETE CASCADE,
  profile    jsonb NOT NULL
);

-- The HTTP adapter: its calls to the external activation system, keyed by idempotency key, with
-- the monitor to follow, so that a repeat resumes the first call instead of sending a second.
CREATE TABLE IF NOT EXISTS activation_http_operation (
  id              text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  kind            text NOT NULL,
  target_id       text NOT NULL,
  request         jsonb NOT NULL,
  request_hash    text NOT NULL,
  state           text NOT NULL CHECK (state IN ('InProgress', 'Completed', 'InError')),
  monitor_url     text,
  claimed_until   timestamptz,
  attempts        integer NOT NULL DEFAULT 1,
  outcome         jsonb,
  error           jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- the external system's id for each of our services and resources
CREATE TABLE IF NOT EXISTS activation_http_binding (
  kind          text NOT NULL CHECK (kind IN ('service', 'resource')),
  local_id      text NOT NULL,
  external_id   text NOT NULL,
  external_href text,
  PRIMARY KEY (kind, local_id)
);
