-- The practice, its agenda rules, patients, appointments, calls and staff tasks.
-- Instants are INTEGER seconds since 1970-01-01T00:00:00Z (UTC); times of day are
-- INTEGER minutes since local midnight in the practice's zone; dates are 'YYYY-MM-DD'.

CREATE TABLE practice (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	name TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	city TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
	default_lang TEXT NOT NULL DEFAULT 'fr' CHECK (default_lang IN ('fr', 'en')),
	-- Comma-separated optional holiday sets, e.g. 'alsace-moselle' or 'reunion'.
	holiday_regions TEXT NOT NULL DEFAULT '',
	slot_step_min INTEGER NOT NULL DEFAULT 15 CHECK (slot_step_min BETWEEN 5 AND 120),
	min_notice_min INTEGER NOT NULL DEFAULT 60 CHECK (min_notice_min >= 0),
	-- Reserved urgent slots become bookable by anyone this long before they start.
	urgent_release_min INTEGER NOT NULL DEFAULT 120 CHECK (urgent_release_min >= 0),
	booking_horizon_days INTEGER NOT NULL DEFAULT 90 CHECK (booking_horizon_days BETWEEN 1 AND 730)
);

CREATE TABLE practitioner (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL DEFAULT 'Dr',
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	-- Lexicon specialty code: 'generaliste', 'pediatre', ...
	specialty TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1,
	UNIQUE (first_name, last_name)
);

CREATE TABLE appointment_type (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	label_fr TEXT NOT NULL,
	label_en TEXT NOT NULL,
	duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 240),
	-- 0 when a patient new to the practice cannot book this type.
	new_patient_allowed INTEGER NOT NULL DEFAULT 1,
	active INTEGER NOT NULL DEFAULT 1
);

-- When rows exist for a type, only these practitioners take it.
CREATE TABLE appointment_type_practitioner (
	type_id INTEGER NOT NULL REFERENCES appointment_type (id) ON DELETE CASCADE,
	practitioner_id INTEGER NOT NULL REFERENCES practitioner (id) ON DELETE CASCADE,
	PRIMARY KEY (type_id, practitioner_id)
);

-- Weekly templates. practitioner_id NULL: the practice's own opening hours (secretariat).
CREATE TABLE opening (
	id INTEGER PRIMARY KEY,
	practitioner_id INTEGER REFERENCES practitioner (id) ON DELETE CASCADE,
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1440),
	end_min INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1440),
	valid_from TEXT,
	valid_until TEXT,
	CHECK (start_min < end_min)
);

-- Absences of a practitioner, or closures of the whole practice (practitioner_id NULL).
CREATE TABLE absence (
	id INTEGER PRIMARY KEY,
	practitioner_id INTEGER REFERENCES practitioner (id) ON DELETE CASCADE,
	start_utc INTEGER NOT NULL,
	end_utc INTEGER NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	CHECK (start_utc < end_utc)
);

-- Public holidays the practice closes on beyond the national ones (computed), e.g. a
-- local day; the national and regional sets come from practice.holiday_regions.
CREATE TABLE public_holiday (
	day TEXT PRIMARY KEY,
	name_fr TEXT NOT NULL,
	name_en TEXT NOT NULL
);

-- Windows kept for urgent same-day requests until urgent_release_min before they start.
CREATE TABLE urgent_reserve (
	id INTEGER PRIMARY KEY,
	practitioner_id INTEGER NOT NULL REFERENCES practitioner (id) ON DELETE CASCADE,
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_min INTEGER NOT NULL,
	end_min INTEGER NOT NULL,
	CHECK (start_min < end_min)
);

CREATE TABLE patient (
	id INTEGER PRIMARY KEY,
	last_name TEXT NOT NULL,
	first_name TEXT NOT NULL DEFAULT '',
	-- Folded copies (no accents, lower case) for case- and accent-insensitive search.
	last_name_folded TEXT NOT NULL,
	first_name_folded TEXT NOT NULL DEFAULT '',
	birth_date TEXT,
	phone TEXT,
	email TEXT,
	created_utc INTEGER NOT NULL
);
CREATE INDEX patient_phone ON patient (phone);
CREATE INDEX patient_name ON patient (last_name_folded, birth_date);

CREATE TABLE appointment (
	id INTEGER PRIMARY KEY,
	practitioner_id INTEGER NOT NULL REFERENCES practitioner (id),
	type_id INTEGER NOT NULL REFERENCES appointment_type (id),
	patient_id INTEGER NOT NULL REFERENCES patient (id),
	start_utc INTEGER NOT NULL,
	end_utc INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'moved')),
	urgent INTEGER NOT NULL DEFAULT 0,
	reason TEXT NOT NULL DEFAULT '',
	-- Where the booking came from: 'phone', 'chat', 'staff', 'cli'.
	source TEXT NOT NULL DEFAULT 'cli',
	call_id TEXT,
	-- Set on an appointment that a move replaced: the appointment that replaced it.
	replaced_by INTEGER REFERENCES appointment (id),
	created_utc INTEGER NOT NULL,
	updated_utc INTEGER NOT NULL,
	CHECK (start_utc < end_utc)
);
CREATE INDEX appointment_time ON appointment (practitioner_id, start_utc);
CREATE INDEX appointment_patient ON appointment (patient_id, start_utc);
-- A second guard behind the overlap check done in the booking transaction.
CREATE UNIQUE INDEX appointment_one_per_start ON appointment (practitioner_id, start_utc)
	WHERE status = 'booked';

CREATE TABLE appointment_event (
	id INTEGER PRIMARY KEY,
	appointment_id INTEGER NOT NULL REFERENCES appointment (id),
	at_utc INTEGER NOT NULL,
	action TEXT NOT NULL CHECK (action IN ('book', 'cancel', 'move')),
	actor TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appointment_event_appointment ON appointment_event (appointment_id);

-- A retried request with the same key returns the first result instead of booking again.
CREATE TABLE idempotency (
	key TEXT PRIMARY KEY,
	operation TEXT NOT NULL,
	appointment_id INTEGER REFERENCES appointment (id),
	created_utc INTEGER NOT NULL
);

CREATE TABLE call (
	id TEXT PRIMARY KEY,
	channel TEXT NOT NULL DEFAULT 'sip' CHECK (channel IN ('sip', 'chat')),
	caller_number TEXT NOT NULL DEFAULT '',
	called_number TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT 'fr',
	started_utc INTEGER NOT NULL,
	answered_utc INTEGER,
	ended_utc INTEGER,
	-- 'booked', 'cancelled', 'moved', 'answered', 'task', 'transferred', 'emergency',
	-- 'abandoned', 'failed'.
	outcome TEXT NOT NULL DEFAULT '',
	urgency TEXT NOT NULL DEFAULT 'none' CHECK (urgency IN ('none', 'urgent', 'emergency')),
	intent TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	patient_id INTEGER REFERENCES patient (id),
	summary_json TEXT NOT NULL DEFAULT '{}',
	transcript_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX call_started ON call (started_utc);

CREATE TABLE task (
	id INTEGER PRIMARY KEY,
	created_utc INTEGER NOT NULL,
	updated_utc INTEGER NOT NULL,
	-- 'callback', 'prescription', 'results', 'paperwork', 'emergency', 'urgent', 'message'.
	kind TEXT NOT NULL,
	-- 0 emergency, 1 urgent, 2 normal: staff see the lowest first.
	priority INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 2),
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'done')),
	call_id TEXT REFERENCES call (id),
	patient_id INTEGER REFERENCES patient (id),
	practitioner_id INTEGER REFERENCES practitioner (id),
	caller_number TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT '',
	details_json TEXT NOT NULL DEFAULT '{}',
	assignee TEXT,
	done_utc INTEGER
);
CREATE INDEX task_open ON task (status, priority, created_utc);

-- The practice's words and switches: answers to usual questions, greeting, transfer
-- target, secretariat hours, recording. Keys are documented in docs/settings.md.
CREATE TABLE setting (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
