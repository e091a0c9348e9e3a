from soash.cli import main

main()
