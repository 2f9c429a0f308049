"""Campaign tasks and their shifts: vocabulary, editing, CSV import, week calendar, ICS feeds."""
