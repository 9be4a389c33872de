-- Where a signalling connect came from (the client address as TRUST_PROXY resolves it), so
-- refused join tokens can be traced to a source. Null for rows written before and for
-- actions that are not connects.
ALTER TABLE audit_log ADD COLUMN client_address text;
