-- Which alerts each user wants, per channel: {"whatsapp": ["new_booking", ...], "email": [...]}.
-- NULL until the user chooses: their role's defaults apply (services/accounts/alerts.py).
ALTER TABLE users ADD COLUMN notifications jsonb
    CHECK (notifications IS NULL OR jsonb_typeof(notifications) = 'object');
