"""Pure domain: models, rules, periods and errors. Imports nothing from AWS."""
