# Installs the library, headers, CLI and a CMake package so that find_package(ivk) works.
# tests/package proves it: it installs a build and builds a small consumer against it.
#
# Two export sets, one per library: ivk::client (always) and ivk::emulator (the component
# `emulator`, only when asked for), so a consumer of the client needs none of the emulator's
# dependencies (nlohmann/json).
include(CMakePackageConfigHelpers)

# ivk_warnings stays out of the exports: the libraries link it only as $<BUILD_INTERFACE:...>
# or through object libraries, and consumers must not inherit ivk's warning, -Werror or sanitizer flags.
install(TARGETS ivk_client EXPORT ivkClientTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/ivk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ivkClientTargets NAMESPACE ivk:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ivk)
if(IVK_BUILD_EMULATOR)
  install(TARGETS ivk_emulator EXPORT ivkEmulatorTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY emulator/include/ivk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ivkEmulatorTargets NAMESPACE ivk:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ivk)
endif()
if(IVK_BUILD_CLI)
  install(TARGETS ivk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

configure_package_config_file(cmake/ivkConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/ivkConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ivk)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ivkConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ivkConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/ivkConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ivk)
