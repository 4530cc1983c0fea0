"""The SPIRAL / SPIRAL++ agent: a painting policy trained against a critic.

Split the way every Acme agent is: configuration, acting (batched actors),
learning (V-trace policy learner and discriminator learner), rewards, the
builder that constructs all of them, and the single-process agent. The
V-trace maths lives in `vtrace` and the IMPALA loss terms in `losses`.
"""
