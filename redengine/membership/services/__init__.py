"""Writes on membership after admission, batch-first, one module per part: ``transfers`` (transfers within,
out of and into the system, their letters), ``statuses`` (changes of state, floating members, the lapse
alerts), ``dues`` (bases, the monthly ledger, reliefs, voluntary payments, the collection sheet) and
``records`` (awards and discipline). Forms, the API, the imports and the demo call them; each checks, then
writes in bulk with its audit records inside the write path (``core.writes.writing``)."""
