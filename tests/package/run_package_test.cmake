# cmake -P script behind the package.find_package test (see CMakeLists.txt beside it).
cmake_minimum_required(VERSION 3.22)

# Runs one step and stops the test with its output when the step fails.
function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package test: ${name} failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# Start clean so files left by an earlier run cannot make a broken install look good.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

step(install ${CMAKE_COMMAND} --install "${IVK_BUILD_DIR}" --prefix "${prefix}")
step(configure ${CMAKE_COMMAND} -S "${CONSUMER_DIR}" -B "${WORK_DIR}/consumer" -G "${GENERATOR}"
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${prefix}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
# The package must come from the scratch prefix, not from an ivk installed elsewhere on the machine.
file(STRINGS "${WORK_DIR}/consumer/CMakeCache.txt" ivk_dir REGEX "^ivk_DIR:")
string(FIND "${ivk_dir}" "ivk_DIR:PATH=${prefix}/" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "package test: consumer found the wrong ivk: ${ivk_dir}")
endif()
step(build ${CMAKE_COMMAND} --build "${WORK_DIR}/consumer")
step(run "${WORK_DIR}/consumer/ivk_consumer")

string(STRIP "${step_output}" printed)
if(NOT printed STREQUAL "${EXPECTED}")
  message(FATAL_ERROR "package test: consumer printed '${printed}', expected '${EXPECTED}'")
endif()
message(STATUS "package test: installed ivk found, linked and run; consumer printed ${printed}")
