# Installing pz: the build-info source, the man page and the shell
# completions generated from the binary's own tables, and the install
# rules under `make install` and `make deb` (docs/development.md).
include(GNUInstallDirs)

set(PZ_ZSH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/zsh/site-functions
  CACHE STRING "Where _pz goes, relative to the prefix (the Debian package uses share/zsh/vendor-completions)")
set(PZ_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  CACHE STRING "Where the bash completion goes, relative to the prefix")

# The commit pz is built from, refreshed at every build
# (tools/build-info.cmake rewrites the file only when it changes).
add_custom_target(pz_build_info
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR}
    -DOUT=${PZ_GEN}/build_info.c -P ${CMAKE_SOURCE_DIR}/tools/build-info.cmake
  BYPRODUCTS ${PZ_GEN}/build_info.c
  COMMENT "Recording the git commit" VERBATIM)
target_sources(pz PRIVATE ${PZ_GEN}/build_info.c)
add_dependencies(pz pz_build_info)

# pz help -json is the one source of the page and the completions.
add_custom_command(
  OUTPUT ${PZ_GEN}/man/pz.1
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PZ_GEN}/man
  COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/tools/gen-man.py
    --pz $<TARGET_FILE:pz> -o ${PZ_GEN}/man/pz.1
  DEPENDS pz ${CMAKE_SOURCE_DIR}/tools/gen-man.py
  COMMENT "Generating the man page" VERBATIM)
add_custom_command(
  OUTPUT ${PZ_GEN}/completion/pz.bash ${PZ_GEN}/completion/_pz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PZ_GEN}/completion
  COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/tools/gen-completion.py
    --pz $<TARGET_FILE:pz> --shell bash -o ${PZ_GEN}/completion/pz.bash
  COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/tools/gen-completion.py
    --pz $<TARGET_FILE:pz> --shell zsh -o ${PZ_GEN}/completion/_pz
  DEPENDS pz ${CMAKE_SOURCE_DIR}/tools/gen-completion.py
  COMMENT "Generating the bash and zsh completions" VERBATIM)
add_custom_target(pz_docs ALL DEPENDS ${PZ_GEN}/man/pz.1
  ${PZ_GEN}/completion/pz.bash ${PZ_GEN}/completion/_pz)

install(TARGETS pz RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PZ_GEN}/man/pz.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PZ_GEN}/completion/pz.bash
  DESTINATION ${PZ_BASH_COMPLETION_DIR} RENAME pz)
install(FILES ${PZ_GEN}/completion/_pz DESTINATION ${PZ_ZSH_COMPLETION_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/schemas/pz.schema.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/pz)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
  FILES_MATCHING PATTERN "*.md")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples USE_SOURCE_PERMISSIONS
  PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE)
