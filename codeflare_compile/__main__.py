"""`python -m codeflare_compile` runs the command line."""

from codeflare_compile.entry import main

main()
