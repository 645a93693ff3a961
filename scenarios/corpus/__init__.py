"""A randomized incident corpus (#17, item 8): incidents nobody tuned the engine to, with their truth.

Each generated incident becomes the same `Scenario` model the bundled scenarios use (commits, logs,
context, deploy evidence as assets), so it is built and investigated exactly like them. The parts
vary independently, one module each: `topology` (services, namespaces, call chain), `settings`
(a file format writing a set of settings), `changes` (the kind of change and the file it lives in),
`log_specs` (log format, volume, noise), `deploy_evidence` (how a deploy shows), `incident`
(putting one incident together) and `truth` (what the generator knows the answer is).
Everything is drawn from one `random.Random(seed)`, with fixed UTC times: same seed, same corpus.
"""
