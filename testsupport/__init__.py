"""What the tests and the benchmarks share: fakes of the internet APIs the
system calls (WhatsApp Graph, iCal hosts) and of an OTLP collector, the
WhatsApp webhook builder, the load generator and the word error rate. (The
Mercado Pago fake is devtools.sandbox.mercadopago: `make run` serves it too.)"""
