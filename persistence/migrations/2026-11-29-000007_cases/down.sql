DROP TABLE case_identity;
DROP TABLE case_referral;
DROP TABLE case_event;
DROP TABLE victim_case;
