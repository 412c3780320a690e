# Warning and sanitizer flags shared by every ivk target.
add_library(ivk_warnings INTERFACE)
target_compile_options(ivk_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wimplicit-fallthrough)
if(IVK_WERROR)
  target_compile_options(ivk_warnings INTERFACE -Werror)
endif()
if(IVK_SANITIZE)
  target_compile_options(ivk_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(ivk_warnings INTERFACE -fsanitize=address,undefined)
endif()
