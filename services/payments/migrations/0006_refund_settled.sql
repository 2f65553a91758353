-- Who recorded a refund given back by hand (SettleRefund): a cash or transfer one, or one
-- Mercado Pago refused or kept failing.
ALTER TABLE refunds ADD COLUMN settled_by text NOT NULL DEFAULT '';
