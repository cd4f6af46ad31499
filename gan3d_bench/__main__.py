"""``python -m gan3d_bench`` (the form torchrun uses) runs the command-line interface."""

from gan3d_bench.cli import main

if __name__ == "__main__":
    main()
