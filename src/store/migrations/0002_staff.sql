-- Staff accounts for the dashboard, their sessions, login attempts (for the lock-out)
-- and the audit log of who viewed or changed which patient's data.

CREATE TABLE staff_user (
	id INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('admin', 'secretary', 'practitioner')),
	-- The practitioner whose agenda and tasks a 'practitioner' account sees.
	practitioner_id INTEGER REFERENCES practitioner (id),
	-- An argon2id string as libsodium's crypto_pwhash_str() writes it.
	password_hash TEXT NOT NULL,
	lang TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en')),
	disabled INTEGER NOT NULL DEFAULT 0,
	created_utc INTEGER NOT NULL,
	updated_utc INTEGER NOT NULL
);

-- A session is found by the SHA-256 of its cookie value, so the file never holds a
-- usable cookie.
CREATE TABLE staff_session (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES staff_user (id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	created_utc INTEGER NOT NULL,
	last_seen_utc INTEGER NOT NULL
);
CREATE INDEX staff_session_user ON staff_session (user_id);

CREATE TABLE login_attempt (
	id INTEGER PRIMARY KEY,
	at_utc INTEGER NOT NULL,
	username TEXT NOT NULL,
	address TEXT NOT NULL,
	success INTEGER NOT NULL
);
CREATE INDEX login_attempt_user ON login_attempt (username, at_utc);
CREATE INDEX login_attempt_address ON login_attempt (address, at_utc);

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at_utc INTEGER NOT NULL,
	user_id INTEGER,
	username TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	-- 'view', 'create', 'update', 'delete', 'book', 'cancel', 'move', 'login', 'logout'...
	action TEXT NOT NULL,
	-- 'call', 'task', 'appointment', 'agenda', 'settings', 'user', 'session'...
	object_type TEXT NOT NULL,
	object_id TEXT NOT NULL DEFAULT '',
	patient_id INTEGER,
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at_utc);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at_utc);
