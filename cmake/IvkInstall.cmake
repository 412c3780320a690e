# Installs the library, headers, CLI and a CMake package so that find_package(ivk) works.
# tests/package proves it: it installs a build and builds a small consumer against it.
include(CMakePackageConfigHelpers)

# ivk_warnings stays out of the export: ivk_client links it only as $<BUILD_INTERFACE:...>, and
# consumers must not inherit ivk's warning, -Werror or sanitizer flags.
install(TARGETS ivk_client ivk_emulator EXPORT ivkTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ivk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ivk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ivkTargets NAMESPACE ivk:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ivk)

configure_package_config_file(cmake/ivkConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/ivkConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ivk)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ivkConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ivkConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/ivkConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ivk)
