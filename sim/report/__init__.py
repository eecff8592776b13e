"""Words for a class: a run's report (``report.html``, ``report.md``) and a comparison of two runs
(`pages`), the report of an ensemble, a sweep or a sensitivity study (`studies`), and what moved an actor
(`explain`), all read from the directories dipsim wrote."""
