-- Mail that carries a secret (a password-reset, verification or sign-in link) is never shown in
-- full in the admin outbox: the outbox answers it redacted. Rows written before this column are
-- assumed to carry one (fail closed); the mailer sets it on every new row.
alter table mail_outbox add column carries_secret boolean not null default true;
