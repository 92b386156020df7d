# Warnings are errors on both sides.
add_compile_options(-Wall -Wextra -Werror -Wno-unused-parameter)
