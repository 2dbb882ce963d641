"""`python -m kadertoets` works like the `kader` command."""

from kadertoets.cli import main

if __name__ == "__main__":
    main(prog_name="kader")
