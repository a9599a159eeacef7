from cuesheet.cli import main

main()
