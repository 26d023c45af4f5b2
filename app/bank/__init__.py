"""The question bank: the KSS framework (and, to come, scenarios and items) as reviewed text files
under question_bank/, checked strictly and imported in one transaction."""
