from runbook_cli.cli import main

main()
