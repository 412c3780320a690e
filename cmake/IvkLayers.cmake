# The library's layers as build targets (see docs/architecture.md and docs/adr/0012-layers-as-targets.md).
#
# Each layer is an OBJECT library that compiles against an include tree of its own, made of symbolic
# links to the public headers (include/ivk/<layer>/) and the private headers (src/<layer>/) of that layer
# and of the layers below it, and nothing else. So `#include "client/run_engine.h"` in src/workflow, or
# `#include "ivk/api/queue_api.h"` in a public workflow header, does not compile: the layering is checked
# by the compiler, not by discipline. The layers' objects are combined into the one archive, ivk::client.

# Bottom to top: each layer may use the ones before it in this list.
set(IVK_LAYERS core workflow models transport events api client)

# Public headers directly in include/ivk/ and the layer they belong to (the rest sit in include/ivk/<layer>/).
set(IVK_TOP_LEVEL_HEADERS_core error.h files.h version.h json_text.h)
set(IVK_TOP_LEVEL_HEADERS_client client.h ivk.h)

# Makes (at configure time) an include tree under the build directory that holds the given layers'
# public and private headers, and returns its path in out_var.
function(ivk_make_include_tree name out_var)
  set(tree ${PROJECT_BINARY_DIR}/include-trees/${name})
  file(REMOVE_RECURSE ${tree})
  file(MAKE_DIRECTORY ${tree}/ivk)
  foreach(layer ${ARGN})
    if(EXISTS ${PROJECT_SOURCE_DIR}/src/${layer})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${layer} ${tree}/${layer} SYMBOLIC)
    endif()
    if(EXISTS ${PROJECT_SOURCE_DIR}/include/ivk/${layer})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/ivk/${layer} ${tree}/ivk/${layer} SYMBOLIC)
    endif()
    foreach(header ${IVK_TOP_LEVEL_HEADERS_${layer}})
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/ivk/${header} ${tree}/ivk/${header} SYMBOLIC)
    endforeach()
  endforeach()
  set(${out_var} ${tree} PARENT_SCOPE)
endfunction()

# The layers from the bottom up to and including `layer`.
function(ivk_layers_up_to layer out_var)
  set(result "")
  foreach(l ${IVK_LAYERS})
    list(APPEND result ${l})
    if(l STREQUAL layer)
      break()
    endif()
  endforeach()
  set(${out_var} ${result} PARENT_SCOPE)
endfunction()

# Batches the target's sources when IVK_UNITY_BUILD is on (see CMakeLists.txt).
function(ivk_unity_build target)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ${IVK_UNITY_BUILD}
    UNITY_BUILD_BATCH_SIZE ${IVK_UNITY_BATCH_SIZE})
  # In a batch each source is #included, so g++ takes a class whose member has a type from that
  # file's anonymous namespace for one "in a header": a false alarm there (the unbatched build keeps it).
  if(IVK_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
endfunction()

# ivk_layer(NAME [SOURCES extra...] [LIBRARIES third-party targets...])
# An OBJECT library ivk_layer_NAME from src/NAME/*.cpp (plus SOURCES), seeing only its include tree.
function(ivk_layer name)
  cmake_parse_arguments(arg "" "" "SOURCES;LIBRARIES" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  ivk_layers_up_to(${name} visible)
  ivk_make_include_tree(layer-${name} tree ${visible})
  add_library(ivk_layer_${name} OBJECT ${sources} ${arg_SOURCES})
  set_target_properties(ivk_layer_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  ivk_unity_build(ivk_layer_${name})
  target_include_directories(ivk_layer_${name} PRIVATE ${tree})
  target_link_libraries(ivk_layer_${name} PRIVATE ivk_warnings tl::expected ${arg_LIBRARIES})
endfunction()
