-- Victim-assistance cases, after IOM's Human Trafficking Case Data Standard (HTCDS). The case row
-- holds only a pseudonymous profile; who the person is lives apart in `case_identity`, encrypted
-- by the application (XChaCha20-Poly1305) with a key the database never sees.
CREATE TABLE victim_case (
    id                  uuid PRIMARY KEY,
    organization_id     uuid NOT NULL REFERENCES organization (id),
    opened_by           text NOT NULL,
    identified_on       date NOT NULL,
    district            text NOT NULL,
    sex                 text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    age_band            text NOT NULL CHECK (age_band IN ('0_11', '12_17', '18_25', '26_40', '41_plus', 'unknown')),
    citizenship         text NOT NULL CHECK (citizenship ~ '^[A-Z]{3}$'),
    exploitation        text NOT NULL CHECK (exploitation IN ('sexual', 'labour', 'domestic_servitude', 'forced_marriage',
                                                              'forced_criminality', 'organ_removal', 'other', 'unknown')),
    means_of_control    text[] NOT NULL DEFAULT '{}',
    recruitment         text NOT NULL CHECK (recruitment IN ('job_offer', 'marriage_offer', 'education_offer', 'travel_offer',
                                                            'abduction', 'sold_by_family', 'other', 'unknown')),
    recruiter_relation  text NOT NULL CHECK (recruiter_relation IN ('family', 'intimate_partner', 'friend', 'employer',
                                                                    'agent', 'stranger', 'other', 'unknown')),
    consent             boolean NOT NULL,
    status              text NOT NULL CHECK (status IN ('active', 'follow_up', 'closed', 'closed_referred')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1,
    change_seq          bigint NOT NULL DEFAULT 0,
    deleted_at          timestamptz
);
CREATE INDEX victim_case_change_seq_idx ON victim_case (change_seq);
CREATE INDEX victim_case_organization_idx ON victim_case (organization_id, id);
CREATE TRIGGER victim_case_touch BEFORE INSERT OR UPDATE ON victim_case
    FOR EACH ROW EXECUTE FUNCTION gloact_touch_row();

-- Where it happened: recruitment, transit and exploitation, in the order told.
CREATE TABLE case_event (
    id           uuid PRIMARY KEY,
    case_id      uuid NOT NULL REFERENCES victim_case (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    stage        text NOT NULL CHECK (stage IN ('recruitment', 'transit', 'exploitation')),
    place        text NOT NULL CHECK (gloact_is_line(place, 200)),
    country      text NOT NULL CHECK (country ~ '^[A-Z]{3}$'),
    occurred_on  date,
    CONSTRAINT case_event_position_key UNIQUE (case_id, position)
);

-- Referrals between organizations. Both ends may read the case (the government sees no other).
CREATE TABLE case_referral (
    id                    uuid PRIMARY KEY,
    case_id               uuid NOT NULL REFERENCES victim_case (id) ON DELETE CASCADE,
    from_organization_id  uuid NOT NULL REFERENCES organization (id),
    to_organization_id    uuid NOT NULL REFERENCES organization (id),
    service               text NOT NULL CHECK (service IN ('shelter', 'medical', 'legal', 'repatriation', 'psychosocial')),
    status                text NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'completed')),
    note                  text,
    referred_by           text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT case_referral_not_to_itself CHECK (from_organization_id <> to_organization_id)
);
CREATE INDEX case_referral_case_idx ON case_referral (case_id);
CREATE INDEX case_referral_from_idx ON case_referral (from_organization_id, case_id);
CREATE INDEX case_referral_to_idx ON case_referral (to_organization_id, case_id);

-- Who the person is: sealed by the application (nonce and ciphertext, the case id as associated
-- data, so a sealed record can't be moved to another case). `key_id` names the key that sealed it.
CREATE TABLE case_identity (
    case_id     uuid PRIMARY KEY REFERENCES victim_case (id) ON DELETE CASCADE,
    key_id      text NOT NULL,
    nonce       bytea NOT NULL CHECK (length(nonce) = 24),
    ciphertext  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
