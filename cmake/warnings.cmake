# SPDX-License-Identifier: LGPL-2.1-or-later
# Warnings are errors on both sides.
add_compile_options(-Wall -Wextra -Werror -Wno-unused-parameter)
