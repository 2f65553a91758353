-- Money the owner received by hand (cash, bank transfer), recorded from the console or the admin
-- API: approved payments with external_id 'manual-…', who recorded them and their note. Mercado
-- Pago's rows keep method 'mercado_pago'.
ALTER TABLE payments
    ADD COLUMN method      text NOT NULL DEFAULT 'mercado_pago' CHECK (method IN ('mercado_pago', 'cash', 'transfer')),
    ADD COLUMN recorded_by text NOT NULL DEFAULT '',
    ADD COLUMN note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500);
