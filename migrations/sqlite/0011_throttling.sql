-- Refused attempts while a key is blocked: the first refusal of a block is audited, the rest
-- only counted (a flood cannot fill the audit log).
ALTER TABLE rate_limits ADD COLUMN refused BIGINT NOT NULL DEFAULT 0;

-- Browsers that logged in successfully as an address (a device cookie): exempt from the
-- address-wide lock that strangers' guesses can set off; each has a failure count of its own.
-- Both the cookie's value and the address are stored as hashes.
CREATE TABLE login_devices (
    token_hash TEXT NOT NULL,
    login_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (token_hash, login_hash)
);
CREATE INDEX login_devices_last_used ON login_devices (last_used_at);
