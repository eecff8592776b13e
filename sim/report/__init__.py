"""Words for a class: a run's report (``report.html``, ``report.md``) and a comparison of two runs
(`pages`), and what moved an actor (`explain`), all read from run directories."""
